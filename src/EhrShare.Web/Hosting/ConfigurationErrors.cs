using Microsoft.Extensions.Options;

namespace EhrShare.Web.Hosting;

public static class ConfigurationErrors
{
    /// <summary>
    /// One readable line for settings that failed validation at start (one or several option groups), or null when
    /// <paramref name="error"/> is something else.
    /// </summary>
    public static string? Describe(Exception error)
    {
        var failures = error switch
        {
            OptionsValidationException single => single.Failures,
            AggregateException many when many.InnerExceptions.All(e => e is OptionsValidationException) =>
                many.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures),
            _ => null,
        };
        return failures is null ? null : "Configuration error: " + string.Join(" ", failures.Distinct());
    }
}
