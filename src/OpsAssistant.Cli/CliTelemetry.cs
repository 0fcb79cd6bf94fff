using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Cli;

/// <summary>OTLP export for the CLI: it exports like the service (docs/architecture.md, "Telemetry") and flushes before it exits.</summary>
internal sealed class CliTelemetry : IDisposable
{
    private readonly TracerProvider? _tracer;
    private readonly MeterProvider? _meter;

    private CliTelemetry(TracerProvider? tracer, MeterProvider? meter)
    {
        _tracer = tracer;
        _meter = meter;
    }

    public static CliTelemetry Start()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            return new CliTelemetry(null, null);
        }

        var resource = OpsAssistantTelemetry.ConfigureResource(ResourceBuilder.CreateDefault(), OpsAssistantTelemetry.CliServiceName);
        return new CliTelemetry(
            Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(OpsAssistantTelemetry.SourceName).AddOtlpExporter().Build(),
            Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(OpsAssistantTelemetry.SourceName).AddOtlpExporter().Build());
    }

    public void Dispose()
    {
        _tracer?.ForceFlush();
        _meter?.ForceFlush();
        _tracer?.Dispose();
        _meter?.Dispose();
    }
}
