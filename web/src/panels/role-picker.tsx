import { roleName } from '../i18n/index.ts';

/** Checkboxes for roles; `testid` prefixes each box's data-testid with `-<role>`. */
export function RolePicker(props: {
  roles: readonly string[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
  testid: string;
}) {
  const toggle = (role: string, on: boolean) => {
    const rest = props.selected.filter((r) => r !== role);
    props.onChange(on ? [...rest, role] : rest);
  };
  return (
    <div class="choices">
      {props.roles.map((role) => (
        <label key={role} class="choice">
          <input
            type="checkbox"
            data-testid={`${props.testid}-${role}`}
            checked={props.selected.includes(role)}
            onChange={(e) => toggle(role, e.currentTarget.checked)}
          />
          {roleName(role)}
        </label>
      ))}
    </div>
  );
}
