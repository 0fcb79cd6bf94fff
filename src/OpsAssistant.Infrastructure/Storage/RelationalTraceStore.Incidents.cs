using System.Data.Common;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>The store's connection for the incident reader and store, which keep their SQL in <c>Infrastructure/Incidents</c>.</summary>
public abstract partial class RelationalTraceStore
{
    /// <summary>An open connection to the migrated database; the caller disposes it.</summary>
    internal async Task<DbConnection> OpenIncidentConnectionAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }
}
