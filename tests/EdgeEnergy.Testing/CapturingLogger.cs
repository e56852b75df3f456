using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Testing;

/// <summary>Collects formatted log lines (with exception text) so tests can assert what a user would read.</summary>
public sealed class CapturingLoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string All => string.Join('\n', Lines);

    public ILogger<T> For<T>() => new Capturing<T>(this);

    private sealed class Capturing<T>(CapturingLoggerFactory owner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {typeof(T).Name}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
    }
}
