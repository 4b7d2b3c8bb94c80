using System.Security.Cryptography;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace EhrShare.Web.Hosting;

/// <summary>
/// Creates the roles and the first admin (the cloud EHR manager). The admin's email and password come from
/// <c>EHR_ADMIN_EMAIL</c> / <c>EHR_ADMIN_PASSWORD</c>; without a password one is generated, printed once and written
/// to a file readable only by its owner.
/// </summary>
internal sealed class AdminSeeder(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IConfiguration configuration,
    ILogger<AdminSeeder> logger)
{
    public const string DefaultEmail = "admin@ehrshare.local";

    /// <summary>What the first sign-in asks of the manager (two-factor sign-in is required for the role).</summary>
    public const string FirstSignIn =
        "Two-factor sign-in is required for the admin: at the first sign-in the app asks you to set it up with an " +
        "authenticator app on your phone (scan the QR code, enter a code) and shows 10 recovery codes to keep. " +
        "Nothing else opens until it is done.";

    public async Task SeedAsync(string? passwordFile, TextWriter console, CancellationToken cancellationToken)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var email = configuration["EHR_ADMIN_EMAIL"] is { Length: > 0 } e ? e : DefaultEmail;
        if (await users.FindByEmailAsync(email) is { } existing)
        {
            logger.LogInformation("Admin {Email} already exists", email);
            if (!existing.TwoFactorEnabled)
            {
                await console.WriteLineAsync(FirstSignIn);
            }

            return;
        }

        var password = configuration["EHR_ADMIN_PASSWORD"];
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = GeneratePassword();
        }

        var admin = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = "EHR manager",
            Status = UserStatus.Approved,
        };
        Check(await users.CreateAsync(admin, password!), "create the admin (EHR_ADMIN_PASSWORD must satisfy the password rules)");
        Check(await users.AddToRoleAsync(admin, Roles.Admin), "give the admin its role");
        logger.LogInformation("Created admin {Email}", email);

        if (generated)
        {
            if (passwordFile is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(passwordFile))!);
                await WriteOwnerOnlyAsync(passwordFile, $"{email}\n{password}\n", cancellationToken);
            }

            // Printed once, on purpose, to the console only (not to the log).
            await console.WriteLineAsync($"Admin account: {email}  password: {password}" +
                (passwordFile is null ? "" : $"  (also saved to {passwordFile})"));
        }

        await console.WriteLineAsync(FirstSignIn);
    }

    private static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        // Always satisfies the rules: one of each class, then 17 random characters.
        return "Aa9" + RandomNumberGenerator.GetString(alphabet, 17);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
