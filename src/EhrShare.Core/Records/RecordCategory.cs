namespace EhrShare.Core.Records;

/// <summary>
/// What kind of record it is, chosen by the patient (lists show it as a badge and filter on it). Stored as its number:
/// the values are part of the app database, so a new kind gets a new number and none is reused.
/// </summary>
public enum RecordCategory
{
    Other = 0,
    LabResult = 1,
    Imaging = 2,
    Prescription = 3,
    Letter = 4,
    Vitals = 5,
}

/// <summary>The categories' names for people and for URLs, and the parsing of a category a request names.</summary>
public static class RecordCategories
{
    /// <summary>In the order the pages offer them.</summary>
    public static IReadOnlyList<RecordCategory> All { get; } =
        [RecordCategory.LabResult, RecordCategory.Imaging, RecordCategory.Prescription, RecordCategory.Letter, RecordCategory.Vitals, RecordCategory.Other];

    public static string Label(RecordCategory category) => category switch
    {
        RecordCategory.LabResult => "Lab result",
        RecordCategory.Imaging => "Imaging",
        RecordCategory.Prescription => "Prescription",
        RecordCategory.Letter => "Letter",
        RecordCategory.Vitals => "Vitals",
        _ => "Other",
    };

    /// <summary>The value in a URL or a form (<c>lab-result</c>): stable, unlike the enum's number or the label.</summary>
    public static string Slug(RecordCategory category) => category switch
    {
        RecordCategory.LabResult => "lab-result",
        RecordCategory.Imaging => "imaging",
        RecordCategory.Prescription => "prescription",
        RecordCategory.Letter => "letter",
        RecordCategory.Vitals => "vitals",
        _ => "other",
    };

    public static bool TryParse(string? value, out RecordCategory category)
    {
        var text = value?.Trim() ?? "";
        foreach (var candidate in All)
        {
            if (string.Equals(Slug(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                category = candidate;
                return true;
            }
        }

        category = RecordCategory.Other;
        return false;
    }

    public const string Rule = "Choose a category: lab result, imaging, prescription, letter, vitals or other.";

    /// <summary>A category a form sent: empty means other; anything else unknown is refused with <see cref="Rule"/>.</summary>
    public static RecordCategory FromForm(string? value) =>
        string.IsNullOrWhiteSpace(value) ? RecordCategory.Other
        : TryParse(value, out var category) ? category
        : throw new Common.ValidationFailedException(Rule, "Category");
}
