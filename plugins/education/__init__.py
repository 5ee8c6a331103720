"""Education: schools, pupils, teachers and exam results from school-management databases and exports."""
