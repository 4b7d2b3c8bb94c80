using System.Globalization;
using System.Text.RegularExpressions;

namespace EhrShare.Web.Api.Fhir;

/// <summary>
/// A FHIR <c>date</c> search parameter (https://hl7.org/fhir/R4/search.html#date): a prefix (<c>eq</c>, <c>ne</c>,
/// <c>gt</c>, <c>lt</c>, <c>ge</c>, <c>le</c>; none means <c>eq</c>) and a date of any precision, which stands for the
/// range it covers (2026 is the whole year). Times without an offset are read as UTC.
/// </summary>
public sealed partial record DateSearch(string Prefix, DateTimeOffset Start, DateTimeOffset End)
{
    public static bool TryParse(string value, out DateSearch? search)
    {
        search = null;
        var hasPrefix = value.Length > 2 && char.IsLetter(value[0]);
        var prefix = hasPrefix ? value[..2] : "eq";
        var text = hasPrefix ? value[2..] : value;
        if (prefix is not ("eq" or "ne" or "gt" or "lt" or "ge" or "le"))
        {
            return false;
        }

        var match = DatePattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var year = int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture);
        if (!match.Groups["m"].Success)
        {
            var start = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
            search = new DateSearch(prefix, start, start.AddYears(1));
            return true;
        }

        var month = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12)
        {
            return false;
        }

        if (!match.Groups["d"].Success)
        {
            var start = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
            search = new DateSearch(prefix, start, start.AddMonths(1));
            return true;
        }

        if (!match.Groups["t"].Success)
        {
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return false;
            }

            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            search = new DateSearch(prefix, start, start.AddDays(1));
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return false;
        }

        // A time to the second covers that second.
        var precision = match.Groups["f"].Success ? TimeSpan.FromTicks(1) : TimeSpan.FromSeconds(match.Groups["s"].Success ? 1 : 60);
        search = new DateSearch(prefix, instant, instant + precision);
        return true;
    }

    public bool Matches(DateTimeOffset value) => Prefix switch
    {
        "eq" => value >= Start && value < End,
        "ne" => value < Start || value >= End,
        "gt" => value >= End,
        "lt" => value < Start,
        "ge" => value >= Start,
        "le" => value < End,
        _ => false,
    };

    [GeneratedRegex(@"^(?<y>\d{4})(-(?<m>\d{2})(-(?<d>\d{2})(?<t>T\d{2}:\d{2}(?<s>:\d{2}(?<f>\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")]
    private static partial Regex DatePattern();
}
