using EhrShare.Core.Accounts;
using EhrShare.Core.Users;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Tests.Accounts;

public sealed class TwoFactorPolicyTests
{
    [Theory]
    [InlineData(Roles.Admin, false, true)]
    [InlineData(Roles.Admin, true, true)]
    [InlineData(Roles.Doctor, false, false)]
    [InlineData(Roles.Doctor, true, true)]
    [InlineData(Roles.Patient, false, false)]
    [InlineData(Roles.Patient, true, false)]
    public void Required_ForTheManagerAlways_ForDoctorsWhenConfigured_NeverForPatients(string role, bool doctorsRequired, bool required)
    {
        var policy = new TwoFactorPolicy(Options.Create(new AccountOptions { RequireTwoFactorForDoctors = doctorsRequired }));

        Assert.Equal(required, policy.IsRequired(UserStatus.Approved, r => r == role));
    }

    [Theory]
    [InlineData(UserStatus.Pending)]
    [InlineData(UserStatus.Rejected)]
    public void NotRequired_BeforeApproval_WhenTheAccountCanDoNothingAnyway(UserStatus status)
    {
        var policy = new TwoFactorPolicy(Options.Create(new AccountOptions { RequireTwoFactorForDoctors = true }));

        Assert.False(policy.IsRequired(status, r => r == Roles.Doctor));
    }

    [Fact]
    public void TheKey_IsShownInGroupsOfFour_AndTheQrCodeUriNamesTheIssuerAndTheAccount()
    {
        var key = AuthenticatorKey.For("dr.who@example.test", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");

        Assert.Equal("ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567", key.Grouped);
        Assert.Equal("otpauth://totp/EhrShare:dr.who%40example.test?secret=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567&issuer=EhrShare&digits=6", key.Uri);
    }
}
