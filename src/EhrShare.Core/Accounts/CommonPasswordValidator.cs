using System.Buffers;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace EhrShare.Core.Accounts;

/// <summary>
/// Refuses passwords an attacker tries first: a common password or word from an embedded list, alone or dressed with
/// digits, symbols and letter-for-digit swaps (<c>P@ssw0rd2024!</c>), one character repeated, or the user's own email
/// name (docs/decisions/password-policy.md).
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<ApplicationUser>
{
    public const string Code = "PasswordTooCommon";
    public const string Message = "This password is too common or too easy to guess: choose another (a few unrelated words work well).";
    public const string PersonalCode = "PasswordContainsEmail";
    public const string PersonalMessage = "The password must not contain your email address or its name part.";

    private static readonly HashSet<string> Common = Load();
    private static readonly SearchValues<char> Letterlike = SearchValues.Create("abcdefghijklmnopqrstuvwxyz@$");

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        password ??= "";
        if (IsCommon(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = Code, Description = Message }));
        }

        var local = (user.Email ?? "").Split('@')[0];
        return local.Length >= 4 && password.Contains(local, StringComparison.OrdinalIgnoreCase)
            ? Task.FromResult(IdentityResult.Failed(new IdentityError { Code = PersonalCode, Description = PersonalMessage }))
            : Task.FromResult(IdentityResult.Success);
    }

    /// <summary>True when <paramref name="password"/> is on the list, or is a listed word with decoration around it.</summary>
    public static bool IsCommon(string password)
    {
        var lower = password.ToLowerInvariant();
        if (lower.Length > 0 && lower.All(c => c == lower[0]))
        {
            return true;
        }

        if (Common.Contains(lower))
        {
            return true;
        }

        var core = Deleet(lower).Trim("0123456789!@#$%^&*()-_=+.,;:?/\\|'\"`~<>[]{} ".ToCharArray());
        return core.Length == 0 || Common.Contains(core);
    }

    private static string Deleet(string value)
    {
        // Digits between the first and the last letter are swaps (p4ssw0rd); those outside are decoration, trimmed later.
        var first = value.AsSpan().IndexOfAny(Letterlike);
        var last = value.AsSpan().LastIndexOfAny(Letterlike);
        return string.Create(value.Length, (value, first, last), static (span, state) =>
        {
            var (source, first, last) = state;
            for (var i = 0; i < source.Length; i++)
            {
                var inside = i > first && i < last;
                span[i] = source[i] switch
                {
                    '@' => 'a',
                    '$' => 's',
                    '0' when inside => 'o',
                    '1' when inside => 'i',
                    '3' when inside => 'e',
                    '4' when inside => 'a',
                    '5' when inside => 's',
                    '7' when inside => 't',
                    var c => c,
                };
            }
        });
    }

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("EhrShare.Core.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The embedded common-password list is missing.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                words.Add(line);
            }
        }

        return words;
    }
}
