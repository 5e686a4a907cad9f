using System.Buffers;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// An image added from a stream (the body of <c>POST /api/v1/images/upload</c>): read in 1 MiB pieces straight to
/// the partial file, its progress in the job list and the status line. Whatever stops it (the size limit, a full
/// disk, a wrong checksum, the client going away) leaves nothing in the catalog and no partial file.
/// </summary>
public static class ImageUpload
{
    private const int ChunkBytes = 1 << 20;

    public static async Task<CatalogImage> AddAsync(ImageCatalog catalog, ImageJobs jobs, ImageJob job, Stream body, long? length,
        CancellationToken cancellation)
    {
        long shown = -1;
        try
        {
            if (length is { } announced && announced > catalog.MaxImageBytes)
                throw new CatalogException(CatalogFailure.TooLarge,
                    $"image {job.Name} is {announced:N0} bytes, larger than media.max_size ({catalog.MaxImageBytes:N0} bytes); nothing was kept");
            await using var write = catalog.BeginAdd(job.Name, job.By, job.Source, job.Sha256);
            job.Running(length);
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                int n;
                while ((n = await body.ReadAsync(buffer.AsMemory(0, ChunkBytes), cancellation).ConfigureAwait(false)) > 0)
                {
                    await write.WriteAsync(buffer.AsMemory(0, n), cancellation).ConfigureAwait(false);
                    job.Progress(write.Length);
                    jobs.ShowProgress(job, ref shown);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (length is { } expected && write.Length != expected)
                throw new CatalogException(CatalogFailure.BadRequest, $"the upload of {job.Name} ended after {write.Length:N0} of {expected:N0} bytes; nothing was kept");
            var image = write.Commit();
            job.Succeeded(image, jobs.Time.GetUtcNow());
            return image;
        }
        catch (CatalogException e)
        {
            job.Failed(e.Failure, e.Message, jobs.Time.GetUtcNow());
            throw;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // The client went away, or its body broke off: the partial file is gone with the write.
            job.Failed(CatalogFailure.BadRequest, $"the upload of {job.Name} broke off: nothing was kept", jobs.Time.GetUtcNow());
            throw new CatalogException(CatalogFailure.BadRequest, $"the upload of {job.Name} broke off: nothing was kept", e);
        }
        finally
        {
            jobs.ClearProgress();
        }
    }
}
