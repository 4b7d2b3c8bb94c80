using EhrShare.Core.Access;
using EhrShare.Core.Common;

namespace EhrShare.Core.Tests.Access;

public sealed class GrantDurationTests
{
    [Theory]
    [InlineData(1, GrantUnit.Hours, 1)]
    [InlineData(8760, GrantUnit.Hours, 8760)]
    [InlineData(1, GrantUnit.Days, 24)]
    [InlineData(365, GrantUnit.Days, 8760)]
    public void AWholeNumberOfHoursOrDays_InRange_IsThatLength(int amount, GrantUnit unit, int hours) =>
        Assert.Equal(TimeSpan.FromHours(hours), GrantDuration.From(amount, unit));

    [Theory]
    [InlineData(0, GrantUnit.Hours)]
    [InlineData(-1, GrantUnit.Days)]
    [InlineData(8761, GrantUnit.Hours)]
    [InlineData(366, GrantUnit.Days)]
    [InlineData(null, GrantUnit.Days)]
    [InlineData(3, null)]
    public void AnythingElse_IsRefused_SayingWhatIsAccepted(int? amount, GrantUnit? unit)
    {
        var refused = Assert.Throws<ValidationFailedException>(() => GrantDuration.From(amount, unit));

        Assert.Equal("Choose how long: 1 to 365 days, or 1 to 8760 hours.", refused.Message);
        Assert.Equal("Duration", refused.Field);
    }

    [Theory]
    [InlineData(1, "1 hour")]
    [InlineData(30, "30 hours")]
    [InlineData(24, "1 day")]
    [InlineData(72, "3 days")]
    public void Describe_NamesTheLengthInItsUnit(int hours, string text) =>
        Assert.Equal(text, GrantDuration.Describe(TimeSpan.FromHours(hours)));
}
