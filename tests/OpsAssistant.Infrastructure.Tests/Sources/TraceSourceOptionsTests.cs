using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Sources;

public sealed class TraceSourceOptionsTests
{
    [Theory]
    [InlineData("OpsAssistant:TraceSource:Kind", "Elastic", "OpsAssistant:TraceSource:Kind")]
    [InlineData("OpsAssistant:TraceSource:Kind", "Jaeger", "OpsAssistant:TraceSource:Url")]
    [InlineData("OpsAssistant:TraceSource:Kind", "Files", "OpsAssistant:TraceSource:Path")]
    [InlineData("OpsAssistant:TraceSource:JaegerApi", "V2", "OpsAssistant:TraceSource:JaegerApi")]
    public void Options_InvalidTraceSource_FailValidationNamingTheKey(string key, string value, string named)
    {
        var services = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TraceSourceOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mongo", "OpsAssistant:Storage:Provider")]
    [InlineData("Postgres", "OpsAssistant:Storage:ConnectionString")]
    public void Options_InvalidStorage_FailValidationNamingTheKey(string provider, string named)
    {
        var services = Build(new() { ["OpsAssistant:Storage:Provider"] = provider });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NegativeTraceCache_FailsValidationNamingTheKey()
    {
        var services = Build(new() { ["OpsAssistant:Storage:TraceCacheSpans"] = "-1" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("OpsAssistant:Storage:TraceCacheSpans", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_TakesItsTraceCacheSizeFromConfiguration()
    {
        var services = Build(new() { ["OpsAssistant:Storage:TraceCacheSpans"] = "1234" });

        Assert.Equal(1234, services.GetRequiredService<TraceRepository>().TraceCacheSpans);
    }

    [Fact]
    public void Resolver_ByName_ReturnsEachSourceAndTheStoreByDefault()
    {
        var services = Build(new() { ["OpsAssistant:TraceSource:Url"] = "http://127.0.0.1:16686", ["OpsAssistant:TraceSource:Path"] = "." });
        var resolver = services.GetRequiredService<TraceSourceResolver>();

        Assert.IsAssignableFrom<ITraceStore>(services.GetRequiredService<ITraceSource>());
        Assert.Equal(["store", "jaeger", "tempo", "zipkin", "file"], TraceSourceResolver.Names.Select(n => resolver.Get(n).Name));
        Assert.Throws<ArgumentException>(() => resolver.Get("elastic"));
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        if (!values.ContainsKey("OpsAssistant:Storage:Provider"))
        {
            values["OpsAssistant:Storage:ConnectionString"] = "Data Source=:memory:";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddOpsAssistantTraceSources(configuration).BuildServiceProvider();
    }
}
