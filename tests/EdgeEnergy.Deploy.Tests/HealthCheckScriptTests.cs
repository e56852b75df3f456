using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>deploy/balena/healthcheck.sh against a loopback server that answers like the service's /healthz.</summary>
public sealed class HealthCheckScriptTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK", 0)]
    [InlineData("HTTP/1.1 503 Service Unavailable", 1)]
    [InlineData("HTTP/1.1 401 Unauthorized", 1)]
    public async Task Health_follows_the_status_of_GET_healthz(string statusLine, int expectedExit)
    {
        var (result, request) = await CheckAsync(statusLine, token: null);

        Assert.Equal(expectedExit, result.ExitCode);
        Assert.StartsWith("GET /healthz HTTP/1.0\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_sends_the_bearer_token_when_one_is_configured()
    {
        var (result, request) = await CheckAsync("HTTP/1.1 200 OK", token: "s3cret-token");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\r\nAuthorization: Bearer s3cret-token\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_fails_when_nothing_listens()
    {
        var port = LoopbackPort.Free();

        var result = await ProcessRunner.RunAsync(
            "bash", [Repository.PathOf("deploy/balena/healthcheck.sh")], environment: Environment(port, null));

        Assert.NotEqual(0, result.ExitCode);
    }

    private static async Task<(ProcessResult Result, string Request)> CheckAsync(string statusLine, string? token)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = ServeOnceAsync(listener, statusLine);

        var result = await ProcessRunner.RunAsync(
            "bash", [Repository.PathOf("deploy/balena/healthcheck.sh")], environment: Environment(port, token));

        return (result, await served.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>The compose file's URL form (0.0.0.0, as the container listens); the script must call loopback.</summary>
    private static Dictionary<string, string?> Environment(int port, string? token) => new()
    {
        ["EDGEENERGY__HTTP__URLS"] = $"http://0.0.0.0:{port}",
        ["EDGEENERGY__HTTP__TOKEN"] = token,
    };

    private static async Task<string> ServeOnceAsync(TcpListener listener, string statusLine)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"));
        return request.ToString();
    }
}
