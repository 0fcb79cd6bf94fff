using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Server.GrpcServices;

namespace OpsAssistant.Server.Tests.Grpc;

/// <summary>The gRPC port's configuration: where it listens, when it refuses to start, and turning it off.</summary>
public sealed class GrpcPortStartupTests
{
    [Theory]
    [InlineData("https://127.0.0.1:4317")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://ingest.example:4317")]
    [InlineData("127.0.0.1:4317")]
    public void Start_UnusableGrpcUrl_FailsNamingTheKey(string url)
    {
        var error = StartupCheck.Refusal(new() { ["OpsAssistant:Ingest:GrpcUrl"] = url });

        Assert.NotNull(error);
        Assert.Contains("OpsAssistant:Ingest:GrpcUrl", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_GrpcBeyondLoopbackWithoutApiKeys_IsRefused()
    {
        var error = StartupCheck.Refusal(new() { ["OpsAssistant:Ingest:GrpcUrl"] = "http://0.0.0.0:0" });

        Assert.NotNull(error);
        Assert.Contains("OpsAssistant:Security:ApiKeys", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_GrpcBeyondLoopbackWithApiKeys_ListensOnEveryInterface()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Ingest:GrpcUrl"] = "http://0.0.0.0:0",
            ["OpsAssistant:Security:ApiKeys:0"] = "grpc-open-key-0123456789",
        });

        _ = host.BaseAddress;

        Assert.NotNull(host.Services.GetRequiredService<GrpcServer>().Address);
    }

    [Fact]
    public void Start_GrpcPortAlreadyTaken_FailsNamingTheKeyToChange()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Ingest:GrpcUrl"] = $"http://127.0.0.1:{port}" });

        var error = Assert.ThrowsAny<Exception>(() => host.StartServer());

        Assert.Contains("OpsAssistant:Ingest:GrpcUrl", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_EmptyGrpcUrl_ServesHttpWithoutAGrpcPort()
    {
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Ingest:GrpcUrl"] = "" });

        _ = host.BaseAddress;

        Assert.Null(host.Services.GetRequiredService<GrpcServer>().Address);
    }

    [Fact]
    public void Start_DefaultTestHost_ListensForGrpcOnItsOwnLoopbackPort()
    {
        using var first = new OpsAssistantHost();
        using var second = new OpsAssistantHost();
        _ = first.BaseAddress;
        _ = second.BaseAddress;

        var one = first.Services.GetRequiredService<GrpcServer>().Address!;
        var two = second.Services.GetRequiredService<GrpcServer>().Address!;

        Assert.Equal("127.0.0.1", one.Host);
        Assert.NotEqual(one.Port, two.Port);
        Assert.NotEqual(first.BaseAddress.Port, one.Port);
    }
}
