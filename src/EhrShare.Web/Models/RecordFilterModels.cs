using EhrShare.Core.Records;

namespace EhrShare.Web.Models;

/// <summary>
/// The search box and category filter of a record list, as the query string gave them (<c>?q=...&amp;category=...</c>):
/// bookmarkable. A value that cannot be used (words over <see cref="RecordFilter.MaxTextLength"/> characters, a category
/// that does not exist) is named in <see cref="Problem"/> and left out of the filter, so the page still shows a list.
/// </summary>
public sealed record RecordListFilter(string Text, RecordCategory? Category, string? Problem)
{
    public static RecordListFilter From(string? q, string? category)
    {
        var text = (q ?? "").Trim();
        var problems = new List<string>();
        if (text.Length > RecordFilter.MaxTextLength)
        {
            problems.Add($"Search for up to {RecordFilter.MaxTextLength} characters; the search was left out.");
            text = "";
        }

        RecordCategory? chosen = null;
        if (!string.IsNullOrWhiteSpace(category))
        {
            if (RecordCategories.TryParse(category, out var parsed))
            {
                chosen = parsed;
            }
            else
            {
                problems.Add("There is no such category; showing every category. " + RecordCategories.Rule);
            }
        }

        return new RecordListFilter(text, chosen, problems.Count == 0 ? null : string.Join(" ", problems));
    }

    public RecordFilter ToFilter() => new(Text, Category);

    public bool IsActive => Text.Length > 0 || Category is not null;

    public string CategorySlug => Category is { } c ? RecordCategories.Slug(c) : "";

    /// <summary>Says what was looked for, for the empty result.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Text.Length > 0)
        {
            parts.Add($"\u201c{Text}\u201d");
        }

        if (Category is { } c)
        {
            parts.Add($"in {RecordCategories.Label(c).ToLowerInvariant()}");
        }

        return string.Join(" ", parts);
    }
}

/// <summary>The filter form: where it submits (a GET on the list's own page) and what it holds.</summary>
public sealed record RecordFilterFormModel(string Action, RecordListFilter Filter, int Shown);
