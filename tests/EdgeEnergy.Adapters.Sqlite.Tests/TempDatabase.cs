using EdgeEnergy.Adapters.Sqlite;
using Microsoft.Data.Sqlite;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

/// <summary>A database file in a fresh temp folder, deleted afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("edgeenergy-sqlite-").FullName;
        Path = System.IO.Path.Combine(Folder, "store.db");
        Database = new SqliteDatabase(Path);
    }

    public string Folder { get; }

    public string Path { get; }

    public SqliteDatabase Database { get; }

    public void Dispose()
    {
        Database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
