using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace EhrShare.Web.Tests.Support;

/// <summary>
/// What the app logs, as its Serilog pipeline writes it: registered as an <see cref="ILogEventSink"/> in the factory's
/// test services, it is read by the app's <c>ReadFrom.Services</c>.
/// </summary>
public sealed class CapturedLogEvents : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    public static string Render(LogEvent logEvent) => logEvent.RenderMessage(CultureInfo.InvariantCulture);
}
