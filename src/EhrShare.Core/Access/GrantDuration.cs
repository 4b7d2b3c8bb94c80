using EhrShare.Core.Common;

namespace EhrShare.Core.Access;

/// <summary>The unit a patient picks a grant's length in.</summary>
public enum GrantUnit
{
    Hours,
    Days,
}

/// <summary>
/// How long a patient lets a doctor read their records, or extends a grant by: a whole number of hours (1 to 8,760)
/// or days (1 to 365). Anything else is refused with one message that says what is accepted.
/// </summary>
public static class GrantDuration
{
    public const int MaxHours = 8760;

    public const int MaxDays = 365;

    public const string Rule = "Choose how long: 1 to 365 days, or 1 to 8760 hours.";

    /// <summary>The length of <paramref name="amount"/> <paramref name="unit"/>; a missing or out-of-range value is a
    /// <see cref="ValidationFailedException"/> on <paramref name="field"/>.</summary>
    public static TimeSpan From(int? amount, GrantUnit? unit, string field = "Duration") => (amount, unit) switch
    {
        ( >= 1 and <= MaxHours, GrantUnit.Hours) => TimeSpan.FromHours(amount.Value),
        ( >= 1 and <= MaxDays, GrantUnit.Days) => TimeSpan.FromDays(amount.Value),
        _ => throw new ValidationFailedException(Rule, field),
    };

    /// <summary>"3 days", "1 hour": how the pages name a length chosen in whole hours or days.</summary>
    public static string Describe(TimeSpan length) => length.TotalHours % 24 == 0
        ? Plural((int)length.TotalDays, "day")
        : Plural((int)length.TotalHours, "hour");

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}
