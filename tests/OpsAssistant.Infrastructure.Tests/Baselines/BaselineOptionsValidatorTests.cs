using OpsAssistant.Infrastructure.Baselines;

namespace OpsAssistant.Infrastructure.Tests.Baselines;

public sealed class BaselineOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new BaselineOptionsValidator().Validate(null, new BaselineOptions()).Succeeded);

    [Theory]
    [InlineData("Source", "Jaeger", "OpsAssistant:Baselines:Source must be Store, Prometheus, Tempo or None, not 'Jaeger'")]
    [InlineData("Window", "00:01:00", "OpsAssistant:Baselines:Window")]
    [InlineData("BucketSize", "2.00:00:00", "OpsAssistant:Baselines:BucketSize")]
    [InlineData("FlushInterval", "00:00:00", "OpsAssistant:Baselines:FlushInterval")]
    [InlineData("Retention", "01:00:00", "OpsAssistant:Baselines:Retention")]
    [InlineData("CacheTtl", "02:00:00", "OpsAssistant:Baselines:CacheTtl")]
    public void Validate_BadValue_NamesTheKey(string key, string value, string message)
    {
        var options = new BaselineOptions();
        switch (key)
        {
            case "Source":
                options.Source = value;
                break;
            case "Window":
                options.Window = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "BucketSize":
                options.BucketSize = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "FlushInterval":
                options.FlushInterval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "Retention":
                options.Retention = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                options.CacheTtl = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        var result = new BaselineOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_SourceNone_RecordsNothing()
    {
        var recorder = new BaselineRecorder { Enabled = false };
        recorder.Record([Storage.TestSpans.Make(1, 1)]);
        Assert.Equal(0, recorder.PendingCount);
    }

    [Fact]
    public void Validate_PrometheusWithoutUrl_NamesTheKey()
    {
        var result = new BaselineOptionsValidator().Validate(null, new BaselineOptions { Source = "Prometheus" });
        Assert.Contains("OpsAssistant:Baselines:Prometheus:Url must be an absolute http(s) URL", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrometheusLabelNotAName_NamesTheKey()
    {
        var options = new BaselineOptions { Source = "Prometheus" };
        options.Prometheus.Url = new Uri("http://127.0.0.1:9090");
        options.Prometheus.ServiceLabel = "service\"}";
        options.Prometheus.Flavor = "Jaeger";
        var result = new BaselineOptionsValidator().Validate(null, options);
        Assert.Contains("OpsAssistant:Baselines:Prometheus:ServiceLabel must be a Prometheus metric or label name", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("OpsAssistant:Baselines:Prometheus:Flavor must be OtelCollector or TempoMetricsGenerator", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TempoWithUrl_Succeeds()
    {
        var options = new BaselineOptions { Source = "tempo" };
        options.Tempo.Url = new Uri("http://127.0.0.1:3200");
        Assert.True(new BaselineOptionsValidator().Validate(null, options).Succeeded);
        options.Tempo.Timeout = TimeSpan.Zero;
        Assert.Contains("OpsAssistant:Baselines:Tempo:Timeout", new BaselineOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }
}
