using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.Tests.Outbox;

/// <summary>Collects a host's log lines (category, level, message) for assertions and for failure reports.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join("\n", _lines.Select(l => $"{l.Level} {l.Category}: {l.Message}"));

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)));
    }
}
