using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Command and parameter helpers the repositories share; the same calls work on either provider.</summary>
internal static class Sql
{
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Callers pass constant SQL (or SQL assembled from constants); values are bound as parameters.")]
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static DbParameter Parameter(DbCommand command, string name, DbType type, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>A text parameter; null becomes SQL NULL.</summary>
    public static void Text(DbCommand command, string name, string? value) =>
        Parameter(command, name, DbType.String, (object?)value ?? DBNull.Value);

    /// <summary>An integer parameter; null becomes SQL NULL.</summary>
    public static void Integer(DbCommand command, string name, long? value) =>
        Parameter(command, name, DbType.Int64, value.HasValue ? value.Value : DBNull.Value);
}
