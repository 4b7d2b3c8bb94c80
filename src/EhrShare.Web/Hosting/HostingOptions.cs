using System.ComponentModel.DataAnnotations;

namespace EhrShare.Web.Hosting;

/// <summary>Where the app keeps its own files (section <c>EhrShare</c>).</summary>
public sealed class HostingOptions
{
    public const string Section = "EhrShare";

    /// <summary>
    /// Folder for rolling logs and generated files (env <c>EhrShare__DataDirectory</c>); relative paths are under
    /// the content root. ./ehr points it at the stack's data folder.
    /// </summary>
    [Required(ErrorMessage = "EhrShare:DataDirectory is required (env EhrShare__DataDirectory).")]
    public string DataDirectory { get; set; } = "App_Data";

    public string ResolveDataDirectory(string contentRoot) => Path.GetFullPath(DataDirectory, contentRoot);
}
