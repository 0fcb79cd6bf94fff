using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Tests.Storage;

/// <summary>Every repository over one database, as the service registers them.</summary>
public sealed record StoreRepositories(RelationalDatabase Database, TraceRepository Traces, AnalysisRepository Analyses, ConversationRepository Conversations, SamplingOverrideRepository Overrides)
{
    public static StoreRepositories Over(RelationalDatabase database, int traceCacheSpans = StorageOptions.DefaultTraceCacheSpans) => new(
        database,
        new TraceRepository(database) { TraceCacheSpans = traceCacheSpans },
        new AnalysisRepository(database),
        new ConversationRepository(database),
        new SamplingOverrideRepository(database));
}
