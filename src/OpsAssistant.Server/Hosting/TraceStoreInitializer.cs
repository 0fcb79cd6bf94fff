using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Server.Hosting;

/// <summary>Creates or migrates the store's schema at start-up, so a broken database fails the start, not the first request.</summary>
internal sealed class TraceStoreInitializer(RelationalDatabase store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
