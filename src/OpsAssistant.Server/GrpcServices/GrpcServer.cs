using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Server.Hosting;
using OpsAssistant.Server.Ingest;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// The gRPC port (<c>OpsAssistant:Ingest:GrpcUrl</c>, 4317 on loopback by default): a second Kestrel server, cleartext
/// HTTP/2 only, serving OTLP <c>TraceService</c> and Jaeger <c>SamplingManager</c>. It is its own small app because
/// Kestrel drops the configured URLs of the main app as soon as code adds an endpoint, and because nothing of the page or
/// the HTTP API belongs on this port. Its services are the main app's singletons.
/// </summary>
internal sealed partial class GrpcServer(IServiceProvider services, IOptions<IngestOptions> ingest, IOptions<SecurityOptions> security, ILogger<GrpcServer> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The bound address (its real port when configured with 0), once started; null when gRPC is off.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var url = ingest.Value.GrpcUrl;
        if (string.IsNullOrWhiteSpace(url))
        {
            LogOff(logger, GrpcListenAddress.ConfigurationKey);
            return;
        }

        // GrpcUrlValidator has refused an unusable or unguarded address at start; what is left here is valid.
        var listen = GrpcListenAddress.TryParse(url, out var error) ?? throw new InvalidOperationException(error);
        if (!listen.IsLoopback && security.Value.ApiKeys.Count == 0)
        {
            LogAnonymous(logger, url, $"{SecurityOptions.SectionName}:AllowAnonymous");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(GrpcServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        var logs = services.GetRequiredService<ILoggerFactory>();
        builder.Services.AddSingleton<ILoggerFactory>(_ => new WithoutHostLogs(logs));
        builder.Services.AddSingleton(services.GetRequiredService<ITraceStore>());
        builder.Services.AddSingleton(services.GetRequiredService<IngestMemoryBudget>());
        if (services.GetService<OpsAssistant.Infrastructure.Baselines.BaselineRecorder>() is { } baselines)
        {
            // Spans ingested over gRPC feed the per-operation baselines as OTLP/HTTP's do.
            builder.Services.AddSingleton(baselines);
        }

        builder.Services.AddSingleton(services.GetRequiredService<IOptionsMonitor<SecurityOptions>>());
        builder.Services.AddSingleton(services.GetRequiredService<IOptionsMonitor<SamplingOptions>>());
        builder.Services.AddSingleton(services.GetRequiredService<SamplingOverrideService>());
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            void Http2(ListenOptions options) => options.Protocols = HttpProtocols.Http2;
            if (listen.Localhost)
            {
                kestrel.ListenLocalhost(listen.Port, Http2);
            }
            else if (listen.Address!.Equals(IPAddress.IPv6Any) || listen.Address.Equals(IPAddress.Any))
            {
                kestrel.ListenAnyIP(listen.Port, Http2);
            }
            else
            {
                kestrel.Listen(listen.Address, listen.Port, Http2);
            }
        });

        var limits = ingest.Value;
        builder.Services.AddGrpc(options =>
        {
            // gRPC checks a message's inflated size against this; the bounded gzip provider stops inflating at the same
            // limit, so a small compressed bomb cannot exhaust memory. The wire limit is a bounded request body (below).
            options.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, limits.MaxDecompressedBytes);
            options.CompressionProviders = [new BoundedGzipCompressionProvider(limits)];
            options.Interceptors.Add<GrpcApiKeyInterceptor>();
        });
        builder.Services.AddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<OtlpTraceGrpcService>, OtlpTraceMethodProvider>();
        builder.Services.AddSingleton<OtlpTraceGrpcService>();

        var app = builder.Build();

        // OpsAssistant:Ingest:MaxRequestBytes on the wire, as on OTLP/HTTP (gRPC lifts Kestrel's own body limit).
        app.Use((context, next) =>
        {
            context.Request.Body = new BoundedReadStream(context.Request.Body, limits.MaxRequestBytes, nameof(IngestOptions.MaxRequestBytes));
            return next(context);
        });
        app.MapGrpcService<OtlpTraceGrpcService>();
        app.MapGrpcService<JaegerSamplingGrpcService>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            // Most often a Collector or another instance already holds 4317: say which setting moves or disables this port.
            await app.DisposeAsync();
            var cause = ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException ? "is already in use by another process" : $"cannot be listened on ({ex.Message.TrimEnd('.')})";
            throw new StartupRefusedException(
                $"{GrpcListenAddress.ConfigurationKey}: port {listen.Port} ({url}) {cause}; set {GrpcListenAddress.ConfigurationKey} to another address, or empty to turn gRPC off.", ex);
        }

        _app = app;

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Address = bound is null ? null : new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        LogListening(logger, bound);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>
    /// The main app's logging without this inner app's own host: a failed start is reported once, by <see cref="StartAsync"/>
    /// as a refused start naming the key, not also as the inner host's "Hosting failed to start" with a stack trace.
    /// </summary>
    private sealed class WithoutHostLogs(ILoggerFactory inner) : ILoggerFactory
    {
        private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

        public ILogger CreateLogger(string categoryName) =>
            categoryName == HostCategory ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The main app owns the inner factory and disposes it.
        public void Dispose()
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC (OTLP TraceService, Jaeger SamplingManager) listening on {Address}")]
    private static partial void LogListening(ILogger logger, string? address);

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC ingest is off ({Key} is empty)")]
    private static partial void LogOff(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving gRPC on {Url} without API keys because {Key} is true")]
    private static partial void LogAnonymous(ILogger logger, string url, string key);
}
