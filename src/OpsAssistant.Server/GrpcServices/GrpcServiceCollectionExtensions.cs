using OpsAssistant.Server.GrpcServices;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the gRPC port: OTLP/gRPC ingest and Jaeger remote sampling.</summary>
internal static class GrpcServiceCollectionExtensions
{
    public static IServiceCollection AddOpsAssistantGrpc(this IServiceCollection services)
    {
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<OpsAssistant.Server.Ingest.IngestOptions>, GrpcUrlValidator>();
        services.AddSingleton<GrpcServer>();
        services.AddHostedService(provider => provider.GetRequiredService<GrpcServer>());
        return services;
    }

    /// <summary>
    /// Whether a request is an OTLP export over gRPC (traces, or the metrics and logs the service answers UNIMPLEMENTED).
    /// The ASP.NET Core instrumentation listens process-wide, so it sees the gRPC server's requests too; tracing them would
    /// feed every export of a service pointed at itself back into the store as a new trace.
    /// </summary>
    public static bool IsOwnIngest(PathString path) =>
        path.Value?.StartsWith("/opentelemetry.proto.collector.", StringComparison.Ordinal) == true;
}
