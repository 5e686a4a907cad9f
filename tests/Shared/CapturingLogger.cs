using Microsoft.Extensions.Logging;

namespace NetbootPi.Tests.Shared;

/// <summary>Keeps every log line so that tests can check what the server reported.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, int EventId, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries
    {
        get { lock (_gate) return _entries.ToList(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate) _entries.Add((logLevel, eventId.Id, formatter(state, exception)));
    }

    public bool Contains(int eventId, string text) => Entries.Any(e => e.EventId == eventId && e.Message.Contains(text, StringComparison.Ordinal));
}

/// <summary>A <see cref="CapturingLogger"/> for services that take an <see cref="ILogger{TCategoryName}"/>.</summary>
public sealed class CapturingLogger<T>(CapturingLogger inner) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, formatter);
}
