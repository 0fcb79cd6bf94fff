using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Infrastructure.Telemetry;
using OpsAssistant.Server.Analyses;
using OpsAssistant.Server.Baselines;
using OpsAssistant.Server.Chat;
using OpsAssistant.Server.Health;
using OpsAssistant.Server.Notifications;
using OpsAssistant.Server.Hosting;
using OpsAssistant.Server.Ingest;
using OpsAssistant.Server.Sampling;
using OpsAssistant.Server.Incidents;
using OpsAssistant.Server.RateLimiting;
using OpsAssistant.Server.Security;
using OpsAssistant.Server.Traces;
using OpsAssistant.Server.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Composes the service: <c>builder.AddOpsAssistant()</c> registers everything, <c>app.MapOpsAssistantApi()</c> wires the pipeline.</summary>
internal static partial class OpsAssistantHostExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Host names answered when <c>AllowedHosts</c> is not configured: loopback names only, so a web page that rebinds its
    /// own DNS name to 127.0.0.1 cannot read the service through the visitor's browser.
    /// </summary>
    public const string LoopbackHosts = "localhost;127.0.0.1;[::1]";

    public static WebApplicationBuilder AddOpsAssistant(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSharedSettings(builder);

        // Loopback by default: the service exposes traces and must be opened on purpose (--urls, ASPNETCORE_URLS, Kestrel:Endpoints).
        if (ExposureGuard.ConfiguredUrls(builder.Configuration).FirstOrDefault() is null)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        AddSafeConsoleLog(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration["AllowedHosts"]))
        {
            builder.Configuration["AllowedHosts"] = LoopbackHosts;
        }

        var services = builder.Services;
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier));
        services.AddOpenApi(options => options.AddDocumentTransformer<ApiKeySecuritySchemeTransformer>());
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
            .Validate(o => o.MaxBufferedBytes >= o.MaxDecompressedBytes,
                $"{IngestOptions.SectionName}:MaxBufferedBytes must be at least {IngestOptions.SectionName}:MaxDecompressedBytes, so one largest request fits.")
            .Validate(o => o.BudgetRetryAfterSeconds is >= 1 and <= 3600, $"{IngestOptions.SectionName}:BudgetRetryAfterSeconds must be between 1 and 3600.")
            .Validate(o => o.MaxConcurrentBodies >= 1, $"{IngestOptions.SectionName}:MaxConcurrentBodies must be at least 1.")
            .Validate(o => o.MaxQueuedBodies >= 0, $"{IngestOptions.SectionName}:MaxQueuedBodies must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<IngestMemoryBudget>();
        services.AddSingleton<TraceReadCoalescer>();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName)
            .Validate(o => o.ApiKeys.All(k => k.Length >= 16), $"{SecurityOptions.SectionName}:ApiKeys entries must be at least 16 characters.")
            .Validate(o => o.Keys.All(k => k.Key.Length >= 16), $"{SecurityOptions.SectionName}:Keys:<n>:Key must be at least 16 characters.")
            .Validate(o => o.Keys.All(k => k.Scopes.Count > 0 && k.Scopes.All(s => ApiScopes.All.Contains(s.Trim().ToLowerInvariant()))),
                $"{SecurityOptions.SectionName}:Keys:<n>:Scopes must list one or more of {string.Join(", ", ApiScopes.All)}.")
            .Validate(o => string.IsNullOrEmpty(o.WebhookToken) || o.WebhookToken.Length >= SecurityOptions.MinWebhookTokenLength,
                $"{SecurityOptions.SectionName}:WebhookToken must be at least {SecurityOptions.MinWebhookTokenLength} characters.")
            .Validate(o => string.IsNullOrEmpty(o.WebhookHmacSecret) || o.WebhookHmacSecret.Length >= SecurityOptions.MinWebhookHmacSecretLength,
                $"{SecurityOptions.SectionName}:WebhookHmacSecret must be at least {SecurityOptions.MinWebhookHmacSecretLength} characters.")
            .Validate(o => o.WebhookSignatureTolerance >= TimeSpan.FromSeconds(1) && o.WebhookSignatureTolerance <= TimeSpan.FromHours(1),
                $"{SecurityOptions.SectionName}:WebhookSignatureTolerance must be between 1 second and 1 hour.")
            .ValidateOnStart();
        services.AddSingleton<WebhookReplayCache>();
        services.AddSingleton<IValidateOptions<SecurityOptions>, ExposureGuard>();
        AddApiKeyAuthorization(services);
        services.AddLlmRateLimiting();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOpsAssistantAnalysisQueue();
        services.AddOptions<AnalysisQueueOptions>().Configure<IOptions<WebhookOptions>, IOptions<NotificationOptions>>((queue, webhooks, notifications) =>
        {
            var limits = webhooks.Value;
            (queue.RunWorker, queue.WorkerConcurrency, queue.MaxAttempts, queue.RetryDelay, queue.PollInterval, queue.Lease) =
                (limits.RunWorker, limits.WorkerConcurrency, limits.MaxAttempts, limits.RetryDelay, limits.PollInterval, limits.Lease);
            queue.NotifyAlerts = notifications.Value.Url is not null;
        });
        services.AddOpsAssistantIncidentWorker();
        services.AddOpsAssistantNotifications();
        services.AddOpsAssistantSampling();
        services.AddOpsAssistantBaselines(builder.Configuration);
        services.AddSingleton<IncidentSamplingCoordinator>();
        services.AddSingleton<IAnalysisCompletedHandler>(sp => sp.GetRequiredService<IncidentSamplingCoordinator>());
        services.AddOpsAssistantHealthChecks();
        services.AddOpsAssistantGrpc();
        services.AddOpsAssistantMcp();

        AddTelemetry(builder);
        return builder;
    }

    /// <summary>
    /// Validates the configuration, then serves until shutdown. A configuration the service cannot run with is refused
    /// before anything starts: one line on stderr naming each key at fault, and exit code 2 (bad input, as the CLI), rather
    /// than an unhandled exception's stack trace and abort. A start that fails on what only starting finds out (a configured
    /// port already taken: <see cref="StartupRefusedException"/>) is reported the same way. Validating before <c>Run</c> also means a refused start never
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

        // Not caught here: a host under a test factory runs this too, and the factory learns of a failed start only from the
        // exception leaving the entry point. Leaving the process, it ends it the same way as a refused configuration.
        AppDomain.CurrentDomain.UnhandledException += (_, unhandled) =>
        {
            if (unhandled.ExceptionObject is StartupRefusedException refused)
            {
                Console.Error.WriteLine(StartupRefusal([refused.Message]));
                Environment.Exit(ConfigurationErrorExitCode);
            }
        };

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
        "OpsAssistant cannot start: " + OpsAssistant.Core.Prompting.ControlCharacters.Escape(string.Join(" ", failures.Distinct(StringComparer.Ordinal)));

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

        app.UseSecurityHeaders();
        var requests = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpsAssistant.Server.Requests");

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

            // A client that sends too slowly (408) or sends a malformed body (400) is the client's fault, not the service's:
            // one line without a stack trace, not an "unhandled exception" error.
            SuppressDiagnosticsCallback = context =>
            {
                if (context.Exception is not BadHttpRequestException bad)
                {
                    return false;
                }

                LogClientFault(requests, context.HttpContext.Request.Method, context.HttpContext.Request.Path.Value, bad.StatusCode, bad.Message);
                return true;
            },
        });
        app.UseStatusCodePages();

        // The page ships beside the binary, so it is served whatever the working directory (no Node build, no content root).
        // Static files come before authorization: the page itself is public, the API calls it makes are not.
        var pages = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        // Each group states what it needs; a route mapped without a group falls to the fallback policy (read).
        app.MapOpenApi().AllowAnonymous();
        var open = app.MapGroup("").AllowAnonymous();
        open.MapHealthEndpoints();
        open.MapWebhookEndpoints(); // their own credentials: OpsAssistant:Security:WebhookToken / WebhookHmacSecret
        app.MapGroup("").RequireAuthorization(ApiScopes.Ingest).MapOtlpIngestEndpoints();
        var read = app.MapGroup("").RequireAuthorization(ApiScopes.Read);
        read.MapTraceEndpoints();
        read.MapAnalysisEndpoints();
        read.MapBaselineEndpoints();
        read.MapIncidentEndpoints();
        app.MapGroup("").RequireAuthorization(ApiScopes.Operate).MapChatEndpoints();
        app.MapSamplingEndpoints();

        // MCP's tools include raising and ending sampling overrides, so it needs what the chat needs.
        app.MapGroup("").RequireAuthorization(ApiScopes.Operate).RequireRateLimiting(LlmRateLimiting.PolicyName).MapOpsAssistantMcp();

        // A deep link only redirects to the public page, which asks for the key itself.
        open.MapDeepLinkEndpoints();
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

    /// <summary>
    /// API keys through ASP.NET Core's own building blocks: an authentication handler that turns a key into scopes, one
    /// policy per scope, and a fallback policy (read) for any route that states nothing, so a new route is never open by
    /// accident once keys are configured.
    /// </summary>
    private static void AddApiKeyAuthorization(IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, AnonymousStrategyReadsHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiScopes.Ingest, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Ingest)))
            .AddPolicy(ApiScopes.Read, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Read)))
            .AddPolicy(ApiScopes.Operate, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Operate)))
            .AddPolicy(ApiScopes.Strategies, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Strategies)))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().AddRequirements(new ScopeRequirement(ApiScopes.Read)).Build());
    }

    /// <summary>Console lines are redacted and escaped (<see cref="SafeConsoleFormatter"/>) unless the operator chose a formatter.</summary>
    private static void AddSafeConsoleLog(WebApplicationBuilder builder)
    {
        builder.Logging.AddConsoleFormatter<SafeConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
        {
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.FormatterName = SafeConsoleFormatter.Name);
        }
    }

    private static void AddTelemetry(WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => OpsAssistantTelemetry.ConfigureResource(resource, OpsAssistantTelemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(OpsAssistantTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(options =>
                    // Exporting one span per ingested batch would feed the service's own telemetry back into itself.
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/v1/traces") && !context.Request.Path.StartsWithSegments("/v1/metrics")
                        && !context.Request.Path.StartsWithSegments("/v1/logs") && !context.Request.Path.StartsWithSegments("/healthz")
                        && !GrpcServiceCollectionExtensions.IsOwnIngest(context.Request.Path))
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status}: {Reason}")]
    private static partial void LogClientFault(ILogger logger, string method, string? path, int status, string reason);
}
