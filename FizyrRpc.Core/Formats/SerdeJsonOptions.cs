using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FizyrRpc;

/// <summary>The options of <see cref="JsonFormat.ForSerde()"/>: what serde_json writes and how strictly it reads.</summary>
internal static class SerdeJsonOptions
{
    /// <summary>
    /// The preset over <paramref name="resolver"/>, keeping the settings of <paramref name="basis"/> (a context's own
    /// options) that agree with it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="basis"/> contradicts the preset.</exception>
    public static JsonSerializerOptions Create(IJsonTypeInfoResolver resolver, JsonSerializerOptions? basis)
    {
        if (basis is not null && Contradictions(basis) is { Count: > 0 } problems)
        {
            throw new ArgumentException(
                "The context's options contradict the serde preset: " + string.Join("; ", problems) +
                ". Remove these settings from its [JsonSourceGenerationOptions], or use new JsonFormat(options) to choose every setting yourself.",
                "context");
        }

        var options = basis is null ? new JsonSerializerOptions() : new JsonSerializerOptions(basis);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.RespectNullableAnnotations = true;
        options.TypeInfoResolver = resolver.WithAddedModifier(RequireWhatIsNotNullable);
        if (!options.Converters.Any(converter => converter is SerdeBytesJsonConverter))
            options.Converters.Add(new SerdeBytesJsonConverter());
        return options;
    }

    /// <summary>
    /// serde's rule for a missing member: an error unless its type is an <c>Option</c> (here: annotated nullable) or it
    /// has a default (here: a constructor parameter with a default value).
    /// </summary>
    private static void RequireWhatIsNotNullable(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (var property in info.Properties)
        {
            if (property.IsRequired)
                continue;
            if (property.AssociatedParameter is { } parameter)
            {
                if (!parameter.HasDefaultValue && !parameter.IsNullable)
                    property.IsRequired = true;
            }
            else if (property.Set is not null && !property.IsSetNullable)
            {
                property.IsRequired = true;
            }
        }
    }

    private static List<string> Contradictions(JsonSerializerOptions options)
    {
        var problems = new List<string>();
        if (options.PropertyNamingPolicy is { } naming && naming != JsonNamingPolicy.SnakeCaseLower)
            problems.Add("PropertyNamingPolicy is not SnakeCaseLower (serde uses the Rust field names)");
        if (options.DictionaryKeyPolicy is not null)
            problems.Add("DictionaryKeyPolicy is set (serde keeps map keys as they are)");
        if (options.PropertyNameCaseInsensitive)
            problems.Add("PropertyNameCaseInsensitive is true (serde matches names exactly)");
        if (options.DefaultIgnoreCondition != JsonIgnoreCondition.Never)
            problems.Add($"DefaultIgnoreCondition is {options.DefaultIgnoreCondition} (serde writes None as null)");
        if (options.NumberHandling != JsonNumberHandling.Strict)
            problems.Add($"NumberHandling is {options.NumberHandling} (serde reads and writes numbers as numbers)");
        if (options.UnmappedMemberHandling != JsonUnmappedMemberHandling.Skip)
            problems.Add("UnmappedMemberHandling is Disallow (serde ignores unknown fields)");
        if (options.RespectRequiredConstructorParameters)
            problems.Add("RespectRequiredConstructorParameters is true (serde lets a missing Option field be None)");
        if (options.ReadCommentHandling != JsonCommentHandling.Disallow || options.AllowTrailingCommas)
            problems.Add("comments or trailing commas are allowed (serde_json refuses them)");
        if (options.WriteIndented)
            problems.Add("WriteIndented is true (serde_json writes compact JSON)");
        if (options.Converters.Any(converter => converter is not SerdeBytesJsonConverter && converter.CanConvert(typeof(byte[]))))
            problems.Add("a converter writes byte[] (serde writes Vec<u8> as an array of numbers)");
        return problems;
    }
}
