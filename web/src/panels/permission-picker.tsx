import { PERMISSIONS, type Permission } from '../data/roles.ts';
import { permissionName } from '../i18n/index.ts';

export function PermissionPicker(props: {
  selected: readonly Permission[];
  onChange?: (next: Permission[]) => void;
  testid: string;
}) {
  const toggle = (p: Permission, on: boolean) => {
    const rest = props.selected.filter((x) => x !== p);
    props.onChange?.(on ? [...rest, p] : rest);
  };
  return (
    <div class="choices perms">
      {PERMISSIONS.map((p) => (
        <label key={p} class="choice" title={p}>
          <input
            type="checkbox"
            data-testid={`${props.testid}-${p}`}
            disabled={!props.onChange}
            checked={props.selected.includes(p)}
            onChange={(e) => toggle(p, e.currentTarget.checked)}
          />
          {permissionName(p)}
        </label>
      ))}
    </div>
  );
}
