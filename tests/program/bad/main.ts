import { twice } from "../shared";

export function main(): u32 {
  const wrong: u32 = twice(1, 2);
  return wrong;
}
