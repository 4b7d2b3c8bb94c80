using EhrShare.Core.Notifications;
using EhrShare.Core.Users;

namespace EhrShare.Core.Tests.Notifications;

public sealed class NotificationKindsTests
{
    private static readonly string[] RolesWithNotifications = [Roles.Patient, Roles.Doctor, Roles.Admin];

    [Fact]
    public void EveryKind_BelongsToExactlyOneRole_WithATitleAndAMailSentenceOfItsOwn()
    {
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            Assert.Single(RolesWithNotifications, role => NotificationKinds.For(role).Contains(kind));
            Assert.NotEqual(kind.ToString(), NotificationKinds.Title(kind));
            Assert.NotEqual("Something happened in EhrShare.", NotificationKinds.MailSentence(kind));
        }

        var kinds = Enum.GetValues<NotificationKind>();
        Assert.Equal(kinds.Length, kinds.Select(NotificationKinds.Title).Distinct().Count());
        Assert.Equal(kinds.Length, kinds.Select(NotificationKinds.MailSentence).Distinct().Count());
    }

    [Fact]
    public void ARoleWithoutNotifications_HasNoKinds() => Assert.Empty(NotificationKinds.For("Gateway"));
}
