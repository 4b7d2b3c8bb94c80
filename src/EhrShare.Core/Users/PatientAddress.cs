using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EhrShare.Core.Users;

/// <summary>
/// A patient's address {AID, PID}: the area id and the patient id within the area, shown as <c>AID-PID</c>
/// (e.g. <c>3-127</c>). Patients give it to doctors, who ask for access by it.
/// </summary>
public readonly record struct PatientAddress(uint Aid, uint Pid)
{
    public const string FormatHint = "two numbers separated by a dash, like 3-127";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Aid}-{Pid}");

    public static bool TryParse([NotNullWhen(true)] string? text, out PatientAddress address)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var dash = span.IndexOf('-');
        if (dash <= 0 || dash == span.Length - 1)
        {
            return false;
        }

        if (!TryParsePart(span[..dash], out var aid) || !TryParsePart(span[(dash + 1)..], out var pid))
        {
            return false;
        }

        address = new PatientAddress(aid, pid);
        return true;
    }

    public static PatientAddress Parse(string text) =>
        TryParse(text, out var address)
            ? address
            : throw new FormatException($"'{text}' is not a patient address: expected {FormatHint}.");

    private static bool TryParsePart(ReadOnlySpan<char> part, out uint value)
    {
        value = 0;
        foreach (var c in part)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return part.Length is > 0 and <= 9 && uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }
}
