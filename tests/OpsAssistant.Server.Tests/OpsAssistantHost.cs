using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// The real service on a real Kestrel socket on loopback (an OTLP exporter's HttpClient cannot reach a TestServer),
/// with its own temporary SQLite file and any configuration a test adds.
/// </summary>
public sealed class OpsAssistantHost : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-host-").FullName;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public OpsAssistantHost(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpsAssistant:Storage:Path"] = Path.Combine(_directory, "traces.db"),

            // Tests start from an empty store unless they ask for the samples.
            ["OpsAssistant:SeedSamples"] = "false",

            // Hosts run side by side: each gets its own free gRPC port instead of 4317.
            ["OpsAssistant:Ingest:GrpcUrl"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }

        _services = services;

        // Kestrel without a factory-set port: UseKestrel(port) rewrites the server's addresses after the app's thread may
        // already have bound them, which fails now and then with "Addresses cannot be modified after the server has
        // started" (dotnet/aspnetcore#67714). The port-0 URL goes in before the build instead (ConfigureWebHost).
        UseKestrel();
    }

    /// <summary>The address Kestrel bound, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseUrls("http://127.0.0.1:0");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));

        // The OpenTelemetry environment settings are read while the app is composed, before app configuration applies:
        // as host settings they are there in time, as environment variables are in production.
        foreach (var (key, value) in _settings.Where(s => s.Key.StartsWith("OTEL_", StringComparison.Ordinal)))
        {
            builder.UseSetting(key, value);
        }
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled handle can outlive the host by a moment; the temp folder is cleaned by the OS later.
            }
        }
    }
}
