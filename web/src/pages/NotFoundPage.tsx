import { Compass } from "lucide-react";
import { ButtonLink, EmptyState } from "@/components/ui";
import { useDocumentTitle } from "@/lib/hooks";

export function NotFoundPage() {
  useDocumentTitle("Not found");
  return (
    <EmptyState
      className="py-24"
      icon={<Compass className="size-5" />}
      title="Page not found"
      description="The page you are looking for does not exist or has moved. Press / to search the catalog."
      action={<ButtonLink to="/">Back to the dashboard</ButtonLink>}
    />
  );
}
