namespace EdgeEnergy.Domain.UserOverrides;

/// <summary>The outcome of parsing one command payload: a value, or the reason it was rejected (never both).</summary>
public sealed class CommandResult<T>
{
    private readonly T? _value;

    private CommandResult(T? value, string? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>Why the command was rejected; null when it is valid.</summary>
    public string? Error { get; }

    public bool IsValid => Error is null;

    /// <summary>The parsed value; throws when the command was rejected, so a rejected command cannot be applied.</summary>
    public T Value => IsValid ? _value! : throw new InvalidOperationException($"rejected command has no value: {Error}");

    internal static CommandResult<T> Create(T? value, string? error) => new(value, error);
}

/// <summary>Factories for <see cref="CommandResult{T}"/>.</summary>
public static class CommandResult
{
    public static CommandResult<T> Accept<T>(T value) => CommandResult<T>.Create(value, null);

    public static CommandResult<T> Reject<T>(string reason) => CommandResult<T>.Create(default, reason);
}
