using System.ComponentModel.DataAnnotations;
using EhrShare.Core.Areas;

namespace EhrShare.Web.Models;

public sealed class AreaFormModel
{
    [Required(ErrorMessage = "Enter an area name.")]
    [StringLength(100, MinimumLength = 2, ErrorMessage = "Enter an area name of 2 to 100 characters.")]
    [Display(Name = "Area name")]
    public string Name { get; set; } = "";
}

public sealed record AreasPageModel(IReadOnlyList<Area> Areas, AreaFormModel NewArea);
