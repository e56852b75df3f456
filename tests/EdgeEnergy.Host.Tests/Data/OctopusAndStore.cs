using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Testing.Http;
using Microsoft.Data.Sqlite;

namespace EdgeEnergy.Host.Tests.Data;

/// <summary>A fake Octopus API on loopback and a fresh SQLite store in a temporary folder, torn down together.</summary>
internal sealed class OctopusAndStore : IAsyncDisposable
{
    private readonly string _folder;

    private OctopusAndStore(string folder, LoopbackHttpServer server)
    {
        _folder = folder;
        Server = server;
        Database = new SqliteDatabase(Path.Combine(folder, "store.db"));
    }

    public LoopbackHttpServer Server { get; private set; }

    public SqliteDatabase Database { get; }

    public static async Task<OctopusAndStore> StartAsync(FakeOctopusApi api, string folderPrefix) =>
        new(Directory.CreateTempSubdirectory(folderPrefix).FullName, await LoopbackHttpServer.StartAsync(api.HandleAsync));

    /// <summary>Stops the fake API and serves <paramref name="handler"/> instead (a new port): an outage, say.</summary>
    public async Task ReplaceServerAsync(Func<Microsoft.AspNetCore.Http.HttpContext, Task> handler)
    {
        await Server.DisposeAsync();
        Server = await LoopbackHttpServer.StartAsync(handler);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
