using EhrShare.Core.Common;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace EhrShare.Web.Infrastructure;

public static class ModelStateExtensions
{
    /// <summary>Shows a use case's validation failure next to its field (or at the top of the form).</summary>
    public static void AddError(this ModelStateDictionary modelState, ValidationFailedException error) =>
        modelState.AddModelError(error.Field ?? string.Empty, error.Message);
}
