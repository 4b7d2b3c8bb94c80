namespace EhrShare.Web.Models;

/// <summary>The consent page: which app asks, what it would get, what it asked for that this user cannot give, and
/// the authorization request's parameters to post back.</summary>
public sealed record ConsentModel(
    string ApplicationName,
    string UserName,
    IReadOnlyList<string> Granted,
    IReadOnlyList<string> Withheld,
    IReadOnlyList<KeyValuePair<string, string>> Parameters);
