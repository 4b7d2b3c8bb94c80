namespace EhrShare.Web.Models;

/// <summary>
/// A page that asks before an action that cannot simply be taken back (revoke, deny, reject, suspend, declare an
/// emergency): it says what will happen, then posts the same form again with <c>confirmed=true</c>. Nothing changes
/// until that second post.
/// </summary>
/// <param name="Title">The page title.</param>
/// <param name="Question">The heading: the action, named with whom it concerns.</param>
/// <param name="Consequences">What will happen, one sentence each.</param>
/// <param name="Action">The URL the confirmed form posts to (the action that asked).</param>
/// <param name="Fields">The form's fields, posted again unchanged.</param>
/// <param name="ConfirmLabel">The button that does it.</param>
/// <param name="CancelUrl">Where "cancel" goes: the page the user came from.</param>
public sealed record ConfirmModel(
    string Title,
    string Question,
    IReadOnlyList<string> Consequences,
    string Action,
    IReadOnlyDictionary<string, string> Fields,
    string ConfirmLabel,
    string CancelUrl)
{
    public string CancelLabel { get; init; } = "Cancel";
}
