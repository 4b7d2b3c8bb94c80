using System.Net.Mail;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Accounts;

public sealed record PatientRegistration(string FullName, string Email, string Password, int AreaId, DateOnly DateOfBirth);

public sealed record DoctorRegistration(string FullName, string Email, string Password, string LicenceNumber, string Specialty);

/// <summary>A patient registers: the account is pending until the admin approves it.</summary>
public sealed class RegisterPatient(UserManager<ApplicationUser> users, IEhrDbContext db, TimeProvider clock, Notifier notifier)
{
    public async Task<ApplicationUser> ExecuteAsync(PatientRegistration input, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (input.DateOfBirth > today || input.DateOfBirth < new DateOnly(1900, 1, 1))
        {
            throw new ValidationFailedException("Enter a date of birth between 1900 and today.", nameof(input.DateOfBirth));
        }

        var area = await db.Areas.AsNoTracking().FirstOrDefaultAsync(a => a.Id == input.AreaId, cancellationToken);
        if (area is null || !area.IsOpen)
        {
            throw new ValidationFailedException("Choose one of the areas in the list.", nameof(input.AreaId));
        }

        var user = await PendingUser.CreateAsync(users, db, input.FullName, input.Email, input.Password, Roles.Patient,
            user => db.Patients.Add(new PatientProfile { UserId = user.Id, AreaId = area.Id, DateOfBirth = input.DateOfBirth }),
            cancellationToken);
        await notifier.ToManagersAsync(NotificationKind.ApprovalPending, $"{user.DisplayName} registered as a patient and waits for your approval.", "/Approvals");
        return user;
    }
}

/// <summary>A doctor registers: the account is pending until the admin approves it.</summary>
public sealed class RegisterDoctor(UserManager<ApplicationUser> users, IEhrDbContext db, Notifier notifier)
{
    public async Task<ApplicationUser> ExecuteAsync(DoctorRegistration input, CancellationToken cancellationToken)
    {
        var licence = (input.LicenceNumber ?? "").Trim().ToUpperInvariant();
        if (licence.Length is < 3 or > 50 || !licence.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '/'))
        {
            throw new ValidationFailedException("Enter the licence number as issued: 3 to 50 letters, digits, '-' or '/'.", nameof(input.LicenceNumber));
        }

        var specialty = UserText.CleanLine(input.Specialty);
        if (specialty.Length is < 2 or > 100)
        {
            throw new ValidationFailedException("Enter a specialty (2 to 100 characters).", nameof(input.Specialty));
        }

        if (await db.Doctors.AnyAsync(d => d.LicenceNumber == licence, cancellationToken))
        {
            throw new ValidationFailedException("A doctor with this licence number is already registered.", nameof(input.LicenceNumber));
        }

        var user = await PendingUser.CreateAsync(users, db, input.FullName, input.Email, input.Password, Roles.Doctor,
            user => db.Doctors.Add(new DoctorProfile { UserId = user.Id, LicenceNumber = licence, Specialty = specialty }),
            cancellationToken);
        await notifier.ToManagersAsync(NotificationKind.ApprovalPending, $"Dr {user.DisplayName} ({specialty}) registered as a doctor and waits for your approval.", "/Approvals");
        return user;
    }
}

internal static class PendingUser
{
    /// <summary>The Identity user, its role and its profile are written in one transaction: all or nothing.</summary>
    public static async Task<ApplicationUser> CreateAsync(
        UserManager<ApplicationUser> users,
        IEhrDbContext db,
        string fullName,
        string email,
        string password,
        string role,
        Action<ApplicationUser> addProfile,
        CancellationToken cancellationToken)
    {
        var name = UserText.CleanLine(fullName);
        if (name.Length is < 2 or > 200)
        {
            throw new ValidationFailedException("Enter your full name (2 to 200 characters).", "FullName");
        }

        email = (email ?? "").Trim();
        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || email.Length > 254)
        {
            throw new ValidationFailedException("Enter a valid email address.", "Email");
        }

        var user = new ApplicationUser { UserName = email, Email = email, DisplayName = name, Status = UserStatus.Pending };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        ThrowOnFailure(await users.CreateAsync(user, password ?? ""));
        ThrowOnFailure(await users.AddToRoleAsync(user, role));
        addProfile(user);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    private static void ThrowOnFailure(IdentityResult result)
    {
        if (result.Succeeded)
        {
            return;
        }

        var first = result.Errors.First();
        var field = first.Code switch
        {
            _ when first.Code.StartsWith("Password", StringComparison.Ordinal) => "Password",
            _ when first.Code.Contains("Email", StringComparison.Ordinal) || first.Code.Contains("UserName", StringComparison.Ordinal) => "Email",
            _ => null,
        };
        var message = first.Code is "DuplicateEmail" or "DuplicateUserName"
            ? "An account with this email already exists."
            : string.Join(" ", result.Errors.Select(e => e.Description).Distinct());
        throw new ValidationFailedException(message, field);
    }
}
