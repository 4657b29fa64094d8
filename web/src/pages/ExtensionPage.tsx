/** A page contributed by a plugin through a `nav.item` extension. */
import { useParams } from "react-router";
import { useDocumentTitle } from "@/lib/hooks";
import { useManifest } from "@/lib/plugin-runtime";
import { ExtensionView } from "@/components/renderers";
import { Card, EmptyState, PageHeader, Skeleton } from "@/components/ui";

export default function ExtensionPage() {
  const { extension: id = "" } = useParams();
  const manifest = useManifest();
  const ext = manifest.data?.find((e) => e.id === id && e.slot === "nav.item");
  useDocumentTitle(ext?.title ?? "Plugin");
  if (manifest.isLoading) return <Skeleton className="h-64" />;
  if (!ext) return <EmptyState title="This plugin page is not available" description="The plugin that provides it may have been disabled." />;
  return (
    <div>
      <PageHeader title={ext.title} description={typeof ext.options?.description === "string" ? ext.options.description : undefined} />
      <Card>
        <ExtensionView extension={ext} />
      </Card>
    </div>
  );
}
