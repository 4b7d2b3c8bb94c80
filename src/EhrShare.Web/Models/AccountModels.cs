using System.ComponentModel.DataAnnotations;
using EhrShare.Core.Accounts;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace EhrShare.Web.Models;

public sealed class LoginModel
{
    [Required(ErrorMessage = "Enter your email.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string Password { get; set; } = "";

    public string? ReturnUrl { get; set; }
}

public abstract class RegisterModelBase
{
    [Required(ErrorMessage = "Enter your full name.")]
    [StringLength(200, MinimumLength = 2, ErrorMessage = "Enter your full name (2 to 200 characters).")]
    [Display(Name = "Full name")]
    public string FullName { get; set; } = "";

    [Required(ErrorMessage = "Enter your email.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254)]
    [Display(Name = "Email")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [DataType(DataType.Password)]
    [MinLength(PasswordRules.MinimumLength, ErrorMessage = PasswordRules.TooShort)]
    [MaxLength(PasswordRules.MaximumLength, ErrorMessage = PasswordRules.TooLong)]
    [Display(Name = "Password")]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Repeat the password.")]
    [DataType(DataType.Password)]
    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    [Display(Name = "Repeat password")]
    public string ConfirmPassword { get; set; } = "";
}

public sealed class RegisterPatientModel : RegisterModelBase
{
    [Required(ErrorMessage = "Choose your area.")]
    [Display(Name = "Area")]
    public int? AreaId { get; set; }

    [Required(ErrorMessage = "Enter your date of birth.")]
    [DataType(DataType.Date)]
    [Display(Name = "Date of birth")]
    public DateOnly? DateOfBirth { get; set; }

    public IReadOnlyList<SelectListItem> Areas { get; set; } = [];
}

public sealed class RegisterDoctorModel : RegisterModelBase
{
    [Required(ErrorMessage = "Enter your licence number.")]
    [StringLength(50, MinimumLength = 3, ErrorMessage = "Enter the licence number as issued (3 to 50 characters).")]
    [Display(Name = "Licence number")]
    public string LicenceNumber { get; set; } = "";

    [Required(ErrorMessage = "Enter your specialty.")]
    [StringLength(100, MinimumLength = 2, ErrorMessage = "Enter a specialty (2 to 100 characters).")]
    [Display(Name = "Specialty")]
    public string Specialty { get; set; } = "";
}

/// <summary>What the security page shows about the signed-in user.</summary>
public sealed record SecurityModel(string Email, bool TwoFactorEnabled, bool TwoFactorRequired);

/// <summary>The second step of signing in: the code from the authenticator app.</summary>
public sealed class TwoFactorSignInModel
{
    [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
    [RegularExpression(@"^\s*\d{3}[\s-]?\d{3}\s*$", ErrorMessage = "The code is 6 digits, as your authenticator app shows it.")]
    [Display(Name = "Authentication code")]
    public string Code { get; set; } = "";

    public string? ReturnUrl { get; set; }
}

/// <summary>The second step of signing in, with one of the recovery codes instead of the app.</summary>
public sealed class RecoveryCodeSignInModel
{
    [Required(ErrorMessage = "Enter one of your recovery codes.")]
    [StringLength(64, ErrorMessage = "That is not a recovery code.")]
    [Display(Name = "Recovery code")]
    public string RecoveryCode { get; set; } = "";

    public string? ReturnUrl { get; set; }
}

/// <summary>The two-factor page: whether it is on, and the set-up while it is not.</summary>
public sealed record TwoFactorPageModel(TwoFactorState State, bool Required, string? RequiredReason, string? QrCodeDataUri);

/// <summary>Confirms the set-up with a code the authenticator app shows.</summary>
public sealed class EnableTwoFactorModel
{
    [Required(ErrorMessage = "Enter the 6-digit code your authenticator app shows.")]
    public string Code { get; set; } = "";
}

/// <summary>Turning two-factor sign-in off, or new recovery codes: a current code or the password first.</summary>
public sealed class ConfirmTwoFactorChangeModel
{
    [Required(ErrorMessage = "Enter a current code from your authenticator app, or your password.")]
    public string CodeOrPassword { get; set; } = "";
}

/// <summary>Recovery codes, shown once.</summary>
public sealed record RecoveryCodesModel(IReadOnlyList<string> Codes, bool JustEnabled);

public sealed class ChangePasswordModel
{
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Current password")]
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessage = "Choose a new password.")]
    [DataType(DataType.Password)]
    [MinLength(PasswordRules.MinimumLength, ErrorMessage = PasswordRules.TooShort)]
    [MaxLength(PasswordRules.MaximumLength, ErrorMessage = PasswordRules.TooLong)]
    [Display(Name = "New password")]
    public string NewPassword { get; set; } = "";

    [Required(ErrorMessage = "Repeat the new password.")]
    [DataType(DataType.Password)]
    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
    [Display(Name = "Repeat new password")]
    public string ConfirmPassword { get; set; } = "";
}

public sealed class ForgotPasswordModel
{
    [Required(ErrorMessage = "Enter your email.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254, ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string Email { get; set; } = "";
}

public sealed class ResetPasswordModel
{
    [Required(ErrorMessage = "This reset link is incomplete: ask for a new one.")]
    public string UserId { get; set; } = "";

    [Required(ErrorMessage = "This reset link is incomplete: ask for a new one.")]
    public string Token { get; set; } = "";

    [Required(ErrorMessage = "Choose a new password.")]
    [DataType(DataType.Password)]
    [MinLength(PasswordRules.MinimumLength, ErrorMessage = PasswordRules.TooShort)]
    [MaxLength(PasswordRules.MaximumLength, ErrorMessage = PasswordRules.TooLong)]
    [Display(Name = "New password")]
    public string NewPassword { get; set; } = "";

    [Required(ErrorMessage = "Repeat the new password.")]
    [DataType(DataType.Password)]
    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
    [Display(Name = "Repeat new password")]
    public string ConfirmPassword { get; set; } = "";
}

/// <summary>The manager's Users page: the search, the filter and the users they give.</summary>
public sealed record UsersPageModel(string? Search, EhrShare.Core.Accounts.UserFilter Filter, EhrShare.Core.Accounts.UserList List);
