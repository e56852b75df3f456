namespace EdgeEnergy.Host.Cli;

/// <summary>Exit codes of docs/contracts.md section 1.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
}
