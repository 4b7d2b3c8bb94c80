namespace EhrShare.Core.Users;

/// <summary>The three kinds of user. Names are stored as Identity role names.</summary>
public static class Roles
{
    public const string Patient = "Patient";
    public const string Doctor = "Doctor";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Patient, Doctor, Admin];
}
