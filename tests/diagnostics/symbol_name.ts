export function café(): void {} // error TSK3011
