using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Telemetry;
using OpsAssistant.Server.Analyses;
using OpsAssistant.Server.Chat;
using OpsAssistant.Server.Health;
using OpsAssistant.Server.Hosting;
using OpsAssistant.Server.Ingest;
using OpsAssistant.Server.Sampling;
using OpsAssistant.Server.Security;
using OpsAssistant.Server.Traces;
using OpsAssistant.Server.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Composes the service: <c>builder.AddOpsAssistant()</c> registers everything, <c>app.MapOpsAssistantApi()</c> wires the pipeline.</summary>
internal static class OpsAssistantHostExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddOpsAssistant(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSharedSettings(builder);

        // Loopback by default: the service exposes traces and must be opened on purpose (--urls, ASPNETCORE_URLS, Kestrel:Endpoints).
        if (ExposureGuard.ConfiguredUrls(builder.Configuration).FirstOrDefault() is null)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var services = builder.Services;
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier));
        services.AddOpenApi();
        services.AddOpsAssistantTraceSources(builder.Configuration);
        services.AddHostedService<TraceStoreInitializer>();
        services.AddHostedService<SampleSeeder>();
        services.AddOpsAssistantAnalysis();
        services.AddOptions<OpsAssistant.Infrastructure.Chat.ChatOptions>().BindConfiguration(OpsAssistant.Infrastructure.Chat.ChatOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OpsAssistant.Infrastructure.Chat.ChatService>();

        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName)
            .Validate(o => o.MaxRequestBytes > 0 && o.MaxDecompressedBytes >= o.MaxRequestBytes,
                $"{IngestOptions.SectionName}:MaxRequestBytes must be positive and no larger than {IngestOptions.SectionName}:MaxDecompressedBytes.")
            .ValidateOnStart();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName)
            .Validate(o => o.ApiKeys.All(k => k.Length >= 16), $"{SecurityOptions.SectionName}:ApiKeys entries must be at least 16 characters.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, ExposureGuard>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AnalysisQueueSignal>();
        services.AddHostedService<AnalysisWorker>();
        services.AddOpsAssistantNotifications();
        services.AddOpsAssistantSampling();
        services.AddSingleton<IncidentSamplingCoordinator>();

        AddTelemetry(builder);
        return builder;
    }

    /// <summary>
    /// Validates the configuration, then serves until shutdown. A configuration the service cannot run with is refused
    /// before anything starts: one line on stderr naming each key at fault, and exit code 2 (bad input, as the CLI), rather
    /// than an unhandled exception's stack trace and abort. Validating before <c>Run</c> also means a refused start never
    /// leaves a half-started host to be disposed under whoever else holds it (a test host, say).
    /// </summary>
    public static async Task<int> RunOpsAssistantAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.ValidateOpsAssistantConfiguration();
        }
        catch (Exception ex) when (ValidationFailures(ex) is { Count: > 0 } failures)
        {
            await Console.Error.WriteLineAsync(StartupRefusal(failures));
            return ConfigurationErrorExitCode;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>The exit code of a start refused for its configuration.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Runs every options validation registered with <c>ValidateOnStart</c>; throws naming each key at fault.</summary>
    public static void ValidateOpsAssistantConfiguration(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>The one-line message of a refused start: every failure, each naming its key.</summary>
    public static string StartupRefusal(IEnumerable<string> failures) =>
        "OpsAssistant cannot start: " + string.Join(" ", failures.Distinct(StringComparer.Ordinal));

    /// <summary>
    /// The configuration failures an exception from <see cref="ValidateOpsAssistantConfiguration"/> carries: one options
    /// type failing throws its <see cref="OptionsValidationException"/>, several throw them together in an
    /// <see cref="AggregateException"/>. Anything else (an empty list) is not a configuration error.
    /// </summary>
    public static IReadOnlyList<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)],
        _ => [],
    };

    public static WebApplication MapOpsAssistantApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Exceptions become a bare 500 problem (never a stack trace); Kestrel's own rejections keep their status.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A full or locked store is the operator's condition, not a bug: say so by status wherever it surfaces.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StorageFailures.Classify(ex) switch
            {
                StorageFailure.Full => StatusCodes.Status507InsufficientStorage,
                StorageFailure.Busy => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseMiddleware<ApiKeyMiddleware>();

        // The page ships beside the binary, so it is served whatever the working directory (no Node build, no content root).
        var pages = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapOtlpIngestEndpoints();
        app.MapTraceEndpoints();
        app.MapAnalysisEndpoints();
        app.MapChatEndpoints();
        app.MapWebhookEndpoints();
        app.MapSamplingEndpoints();
        return app;
    }

    /// <summary>
    /// The repo-root appsettings.json is linked into the output folder; when the content root has none (running the
    /// built binary from elsewhere), read that copy underneath every other source so env vars and flags still win.
    /// </summary>
    private static void AddSharedSettings(WebApplicationBuilder builder)
    {
        var contentRootFile = Path.Combine(builder.Environment.ContentRootPath, "appsettings.json");
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (File.Exists(contentRootFile) || !File.Exists(shipped))
        {
            return;
        }

        var source = new JsonConfigurationSource { Path = shipped, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, source);
    }

    private static void AddTelemetry(WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => OpsAssistantTelemetry.ConfigureResource(resource, OpsAssistantTelemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(OpsAssistantTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(options =>
                    // Exporting one span per ingested batch would feed the service's own telemetry back into itself.
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/v1/traces") && !context.Request.Path.StartsWithSegments("/healthz"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(OpsAssistantTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithLogging();

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
    }
}
