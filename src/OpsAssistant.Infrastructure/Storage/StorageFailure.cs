namespace OpsAssistant.Infrastructure.Storage;

/// <summary>What kind of storage failure an exception reports (see <see cref="StorageFailures.Classify"/>).</summary>
public enum StorageFailure
{
    /// <summary>Not a recognised storage condition: treat as an unexpected error.</summary>
    None,

    /// <summary>The database is locked or busy: retry shortly.</summary>
    Busy,

    /// <summary>The database is out of space: nothing was written, an operator must free or grow it.</summary>
    Full,
}
