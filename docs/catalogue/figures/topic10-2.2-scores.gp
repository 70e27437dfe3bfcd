# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Induction score per head on [1, 2, 3, 1, 2]: 1 previous-token 2 uniform 3 first-token 4 self 5 duplicate-token 6 induction' noenhanced
set xlabel 'head' noenhanced
set ylabel 'induction score' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.01702232561
2 0.2262376697
3 0.0432631016
4 0.005937636345
5 0.01146294962
6 0.9126866132
EOD
plot $s0 using 1:2 with boxes title 'noise up to 0.2'
