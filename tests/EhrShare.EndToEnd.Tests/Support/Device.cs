using Microsoft.Playwright;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>The screens every scenario runs on: a laptop and a phone (the paper's users are on mobile).</summary>
public sealed record Device(string Name, int Width, int Height, bool IsMobile)
{
    public static readonly Device Desktop = new("desktop", 1366, 900, IsMobile: false);

    public static readonly Device Phone = new("phone", 390, 844, IsMobile: true);

    public static IReadOnlyList<Device> All { get; } = [Desktop, Phone];

    public BrowserNewContextOptions ContextOptions(Uri baseAddress) => new()
    {
        BaseURL = baseAddress.ToString(),
        ViewportSize = new ViewportSize { Width = Width, Height = Height },
        IsMobile = IsMobile,
        HasTouch = IsMobile,
        Locale = "en-GB",
        TimezoneId = "UTC",
    };

    public override string ToString() => Name;
}
