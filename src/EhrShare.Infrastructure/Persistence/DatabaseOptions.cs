using System.ComponentModel.DataAnnotations;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>The app database (section <c>Database</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>MySQL/MariaDB connection string of the app database (env <c>Database__ConnectionString</c>).</summary>
    [Required(ErrorMessage = "Database:ConnectionString is required (env Database__ConnectionString).")]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Server version given to Pomelo, so the app can start while the database is down (no auto-detection at
    /// start). Examples: <c>10.11.0-mariadb</c>, <c>8.0.36-mysql</c>.
    /// </summary>
    [Required(ErrorMessage = "Database:ServerVersion is required (env Database__ServerVersion).")]
    public string ServerVersion { get; set; } = "10.11.0-mariadb";
}
