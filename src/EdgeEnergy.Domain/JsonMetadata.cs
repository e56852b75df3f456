using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EdgeEnergy.Domain;

/// <summary>
/// The one way product code hands a value to System.Text.Json: through the metadata its options resolve, never by
/// reflection. The service ships as a Native AOT binary, where reflection-based JSON writes <c>{}</c> without an
/// error; options built with a source-generated context as their resolver make a type the context does not list fail
/// loudly here (<see cref="NotSupportedException"/>) in every build, tests included.
/// </summary>
public static class JsonMetadata
{
    /// <summary>The metadata <paramref name="options"/> resolves for <typeparamref name="T"/>.</summary>
    public static JsonTypeInfo<T> For<T>(this JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
