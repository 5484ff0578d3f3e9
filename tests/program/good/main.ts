import { twice } from "../shared";

export function main(): u32 {
  return twice(21);
}
